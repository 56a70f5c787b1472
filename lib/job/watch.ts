// One listener per thread receives every callback event from the addon and hands
// it to the job objects watching that job id. A job object is in the map only
// while it has listeners, so listeners keep it (and its native reference) alive
// and removing the last one lets it go.
import type { NativeJobEvent } from '../binding.js';
import { binding } from './binding.js';

export interface EventTarget {
  onNativeEvent(event: NativeJobEvent): void;
}

const watching = new Map<string, Set<EventTarget>>();
let listening = false;

function dispatch(event: NativeJobEvent): void {
  const targets = watching.get(event.jobId);
  if (!targets) return;
  for (const t of [...targets]) t.onNativeEvent(event);
}

export function watch(jobId: string, target: EventTarget): void {
  if (!listening) {
    try {
      binding().setEventListener(dispatch);
      listening = true;
    } catch {
      // No addon here (a job over a binding given directly): the poller alone serves.
    }
  }
  let set = watching.get(jobId);
  if (!set) watching.set(jobId, (set = new Set()));
  set.add(target);
}

export function unwatch(jobId: string, target: EventTarget): void {
  const set = watching.get(jobId);
  if (!set) return;
  set.delete(target);
  if (set.size === 0) watching.delete(jobId);
}
