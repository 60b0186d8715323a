// The published @statewire/ipc over a real IPC channel: this test process is the client
// (the suite needs its stores here), a forked child holds the data. The child attaches its
// own end of the channel (`process`) to its host; this side connects over the ChildProcess.
import { fork } from 'node:child_process';
import { describeConformance } from '@statewire/conformance';
import { defineCapabilities } from '@statewire/core/transport';
import { connect } from '@statewire/ipc';
import { afterAll } from 'vitest';

const holder = fork(new URL('./ipc-holder.mjs', import.meta.url), { stdio: 'inherit' });
afterAll(() => void holder.kill());

describeConformance(
  'published @statewire/ipc with a forked holder',
  ({ namespace }) => connect({ channel: holder, namespace }),
  defineCapabilities({ ttl: true, shared: true, atomic: true, versions: true }),
);
