import { redisTestConfig } from '@statewire/test-support/vitest-config';

export default redisTestConfig();
