import { forkAndThreadScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

forkAndThreadScenarios(transport);
