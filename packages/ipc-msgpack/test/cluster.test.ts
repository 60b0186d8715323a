import { clusterScenarios } from '../../ipc/test/scenarios/cluster.js';
import { transport } from './transport.js';

clusterScenarios(transport);
