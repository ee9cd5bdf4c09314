/**
 * What an OpenStack exporter would export for the lab's cloud. Rule: one
 * `openstack_nova_server_status` series per server, labelled with its current Nova status
 * and valued 1 (a status change ends the old series and starts a new one), so
 * `openstack_nova_server_status{status!="ACTIVE"}` lists the servers that are not active.
 */
import type { OpenStackCloud } from '../../openstack/cloud.js';
import type { LabFamily } from '../../samples.js';

/** The Nova server families. */
export function openstackFamilies(cloud: OpenStackCloud): LabFamily[] {
  const servers = cloud.servers();
  return [
    {
      name: 'openstack_nova_server_status',
      type: 'gauge',
      help: 'Status of a Nova server (1 for the status in the status label).',
      samples: servers.map((s) => ({
        name: 'openstack_nova_server_status',
        labels: { id: s.id, name: s.name, status: s.status, tenant_id: s.projectId, availability_zone: s.availabilityZone, flavor_id: s.flavorId },
        value: 1,
      })),
    },
    {
      name: 'openstack_nova_total_vms',
      type: 'gauge',
      help: 'Total number of Nova servers.',
      samples: [{ name: 'openstack_nova_total_vms', labels: {}, value: servers.length }],
    },
  ];
}
