import { hostileScenarios } from '@statewire/ipc-scenarios';
import { transport } from './transport.js';

hostileScenarios(transport);
