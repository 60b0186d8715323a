import { conformanceScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

conformanceScenarios(transport);
