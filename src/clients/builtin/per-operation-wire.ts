import { AsyncLocalStorage } from 'node:async_hooks';
import type { Dispatcher } from 'undici';
import { REQUEST_ID_HEADER, headerText } from '../request-shape.js';

/**
 * For a client library that has no per-request headers, hides the raw response and mishandles aborts (nano): an
 * undici interceptor that adds one operation's headers to the request the library dispatches, aborts that dispatch
 * when the operation's signal aborts, and records the response as it came off the wire. The operation travels in
 * AsyncLocalStorage from `wire.run(...)` down to `dispatch`, so each dispatch only ever sees its own operation.
 *
 * A response that fails part-way (reset, cut, aborted) is ended cleanly towards the library and kept as `failure`
 * here: nano 11 reads 2xx bodies in an async handler whose rejection nobody awaits, so a body that errors leaves
 * nano's promise pending forever and raises an unhandled rejection, which kills the process by default.
 */
export interface WireExchange {
  /** Added to the request, replacing any header of the same name. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** Aborts the dispatch (the library itself is not given it; see above). */
  readonly signal: AbortSignal;
  status: number | null;
  requestId: string | null;
  chunks: Buffer[];
  /** The whole response body arrived. */
  complete: boolean;
  /** Why the exchange failed, once it has. */
  failure: Error | null;
}

export class PerOperationWire {
  readonly #current = new AsyncLocalStorage<WireExchange>();

  /** Runs `work` with `exchange` as the operation any dispatch inside it belongs to. */
  run<T>(exchange: WireExchange, work: () => T): T {
    return this.#current.run(exchange, work);
  }

  readonly interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
    const exchange = this.#current.getStore();
    if (exchange === undefined) return dispatch(options, handler);
    const headers = { ...withoutNames(options.headers, Object.keys(exchange.requestHeaders)), ...exchange.requestHeaders };
    return dispatch({ ...options, headers }, recording(handler, exchange));
  };
}

export function newExchange(requestHeaders: Record<string, string>, signal: AbortSignal): WireExchange {
  return { requestHeaders, signal, status: null, requestId: null, chunks: [], complete: false, failure: null };
}

function recording(inner: Dispatcher.DispatchHandler, exchange: WireExchange): Dispatcher.DispatchHandler {
  let detach = (): void => undefined;
  return {
    onRequestStart: (controller, context) => {
      inner.onRequestStart?.(controller, context);
      const abort = (): void => {
        const reason: unknown = exchange.signal.reason;
        controller.abort(reason instanceof Error ? reason : new Error(String(reason)));
      };
      if (exchange.signal.aborted) return abort();
      exchange.signal.addEventListener('abort', abort, { once: true });
      detach = () => exchange.signal.removeEventListener('abort', abort);
    },
    onRequestUpgrade: (controller, status, headers, socket) => inner.onRequestUpgrade?.(controller, status, headers, socket),
    onResponseStart: (controller, status, headers, message) => {
      exchange.status = status;
      exchange.requestId = headerText(headers[REQUEST_ID_HEADER]);
      exchange.chunks = [];
      inner.onResponseStart?.(controller, status, headers, message);
    },
    onResponseData: (controller, chunk) => {
      exchange.chunks.push(chunk);
      inner.onResponseData?.(controller, chunk);
    },
    onResponseEnd: (controller, trailers) => {
      detach();
      exchange.complete = true;
      inner.onResponseEnd?.(controller, trailers);
    },
    onResponseError: (controller, error) => {
      detach();
      exchange.failure = error;
      // Before a response there is no body to mishandle: the library rejects its request as it should.
      if (exchange.status === null) {
        quietly(() => inner.onResponseError?.(controller, error));
        return;
      }
      // Node's bundled fetch may already have torn its body down when an abort lands mid-response; its onComplete
      // then throws inside an abort listener, which would crash the whole process (seen in the soak). The exchange
      // has its failure recorded either way, and the adapter rejects from it.
      if (!quietly(() => inner.onResponseEnd?.(controller, {}))) quietly(() => inner.onResponseError?.(controller, error));
    },
  };
}

/** Runs `step`; false if it threw (a library's handler failing after the exchange already failed). */
function quietly(step: () => void): boolean {
  try {
    step();
    return true;
  } catch {
    return false;
  }
}

/** The dispatched headers (any of undici's accepted forms) as a record, minus `names` in any letter case. */
function withoutNames(headers: Dispatcher.DispatchOptions['headers'], names: string[]): Record<string, string | string[]> {
  const dropped = new Set(names.map((name) => name.toLowerCase()));
  const kept: Record<string, string | string[]> = {};
  const keep = (name: string, value: string | string[] | number | undefined): void => {
    if (value === undefined || dropped.has(name.toLowerCase())) return;
    kept[name] = typeof value === 'number' ? String(value) : value;
  };
  if (headers == null) return kept;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) keep(String(headers[i]), String(headers[i + 1]));
  } else if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<[string, string | string[] | undefined]>) keep(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) keep(name, value);
  }
  return kept;
}
