/**
 * `@statewire/core/testing`: the in-memory loopback for tests. {@link createLoopbackPair}
 * gives the two ends of a link with no process behind it (messages are copied with
 * `structuredClone` and delivered asynchronously, in order), and {@link serveLoopback} runs
 * the real host engine in this process and connects stores to it over such pairs, so the
 * engines, a store built on them or the conformance suite run over the real protocol
 * without forking anything.
 *
 * Applications import `@statewire/core`; transport authors import `@statewire/core/transport`.
 * @packageDocumentation
 */
export { createLoopbackPair, type LoopbackLink, type LoopbackPair } from './loopback.js';
export { type LoopbackHost, type LoopbackHostOptions, serveLoopback } from './loopback-host.js';
