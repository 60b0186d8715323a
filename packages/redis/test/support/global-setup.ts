import {
  ensureRedisInstalled,
  startRedisCluster,
  startRedisServer,
} from '@statewire/test-redis-server';
import { startStandaloneRedis } from '@statewire/test-support';
import type { TestProject } from 'vitest/node';

/**
 * Starts the shared servers once per run and hands their addresses to the tests through
 * `provide`: the standalone server of every package's tests (REDIS_URL, or one started here),
 * a 3-master Redis Cluster, and an AOF (`appendfsync always`) server for durability tests.
 * Stops them afterwards, also when setting up failed half-way.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureRedisInstalled();
  const started: { stop(): Promise<void> }[] = [];
  const teardown = async (): Promise<void> => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  try {
    const standalone = await startStandaloneRedis();
    started.push(standalone);
    const cluster = await startRedisCluster(3);
    started.push(cluster);
    const aof = await startRedisServer({ aof: true });
    started.push(aof);
    project.provide('redisUrl', standalone.url);
    project.provide(
      'clusterNodes',
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    project.provide('aofServer', {
      url: aof.url,
      port: aof.port,
      dir: aof.dir,
      config: aof.config,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
