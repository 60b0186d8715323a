// The holder of the IPC rehearsal: serves its parent over its own IPC channel and exits
// when the parent goes away.
import { serve } from '@statewire/ipc';

const host = serve({ cluster: false });
host.attach(process);
process.on('disconnect', () => void host.close());
