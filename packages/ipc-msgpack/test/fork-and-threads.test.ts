import { forkAndThreadScenarios } from '../../ipc/test/scenarios/fork-and-threads.js';
import { transport } from './transport.js';

forkAndThreadScenarios(transport);
