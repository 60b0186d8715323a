import { valueScenarios } from '../../ipc/test/scenarios/values.js';
import { transport } from './transport.js';

valueScenarios(transport);
