import { MIN_DEMO_EVENTS, planSpecialEvents } from "../../examples/health-tech/generator/special-events.js";
import { UsageError } from "../errors/errors.js";

/** How many events a run sends, and the request rate that keeps the demo's event time on the wall clock. */
export interface SimulationPlan {
  events: number;
  /** Requests per second of event time: with about two lines per request, events/s become requests/s. */
  requestsPerSecond: number;
}

/**
 * `rate` events per second for `durationSeconds`. The generator spaces requests, not lines, in
 * event time; its exact line count per request (specials included) turns the events rate into the
 * request rate, so event time advances as fast as the wall clock while the run is on schedule.
 */
export function simulationPlan(eventsPerSecond: number, durationSeconds: number): SimulationPlan {
  if (!Number.isFinite(eventsPerSecond) || eventsPerSecond <= 0)
    throw new UsageError(`--rate must be a positive number of events per second (got ${eventsPerSecond})`);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0)
    throw new UsageError(`--duration must be a positive number of seconds (got ${durationSeconds})`);
  const events = Math.round(eventsPerSecond * durationSeconds);
  if (events < MIN_DEMO_EVENTS)
    throw new UsageError(
      `--rate × --duration is ${events} events; the demo traffic needs at least ${MIN_DEMO_EVENTS} (its planted cases must fit)`,
    );
  const { requests } = planSpecialEvents(events);
  return { events, requestsPerSecond: (eventsPerSecond * requests) / events };
}
