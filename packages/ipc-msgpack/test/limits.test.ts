import { limitScenarios } from '../../ipc/test/scenarios/limits.js';
import { transport } from './transport.js';

limitScenarios(transport);
