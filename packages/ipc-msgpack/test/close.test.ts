import { closeScenarios } from '../../ipc/test/scenarios/close.js';
import { transport } from './transport.js';

closeScenarios(transport);
