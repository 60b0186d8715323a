import { clusterScenarios } from './scenarios/cluster.js';
import { transport } from './transport.js';

clusterScenarios(transport);
