import { forkAndThreadScenarios } from './scenarios/fork-and-threads.js';
import { transport } from './transport.js';

forkAndThreadScenarios(transport);
