import type { Change } from '../plan/plan.js';

// Typed progress events from the engine. Views (human, JSON) subscribe;
// the engine itself never prints.

export type EngineEvent =
  | { type: 'read-start'; count: number }
  | { type: 'change-start'; change: Change }
  | { type: 'change-progress'; change: Change; elapsedMs: number }
  | { type: 'change-done'; change: Change; elapsedMs: number }
  | { type: 'change-failed'; change: Change; error: string }
  | { type: 'change-skipped'; change: Change; because: string }
  | { type: 'retry'; method: string; resource: string; detail: string; delayMs: number };

export type EventSink = (e: EngineEvent) => void;
