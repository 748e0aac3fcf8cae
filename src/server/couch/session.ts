import { makeSessionToken, sessionCookieHeader } from './cookie.js';
import { BAD_CREDENTIALS, badContentType, badRequest, invalidJson, methodNotAllowed, unauthorized } from './errors.js';
import { isJsonObject, parseJsonBytes } from './json.js';
import { parseQuery } from './query-string.js';
import { jsonReply, type Reply } from './reply.js';
import { header, queryValue, type RequestContext } from './request-context.js';
import type { ServerState } from './state.js';
import { userCtxOf, type UserCtx } from './users.js';

/** The login form: `name`/`password` (form or JSON), or `username` (JSON, as the IBM SDK sends it). */
function loginForm(context: RequestContext): Map<string, string> {
  const contentType = header(context.request, 'content-type') ?? '';
  const primary = contentType.split(';')[0]!.trim();
  const form = new Map<string, string>();
  if (primary.startsWith('application/x-www-form-urlencoded')) {
    for (const pair of parseQuery(context.request.body.toString('latin1'))) {
      if (!form.has(pair.key)) form.set(pair.key, pair.value.toString('utf8'));
    }
    return form;
  }
  if (primary.startsWith('application/json')) {
    const parsed = parseJsonBytes(context.request.body);
    if (!parsed.ok) throw invalidJson();
    if (!isJsonObject(parsed.value)) throw badRequest('Request body must be a JSON object');
    for (const [key, value] of Object.entries(parsed.value)) {
      if (!form.has(key)) form.set(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return form;
  }
  throw badContentType("Content-Type must be 'application/x-www-form-urlencoded' or 'application/json'");
}

/** `extract_username/1`: `name` and `username` may both be given only if they agree. */
function userName(form: Map<string, string>): string {
  const name = form.get('name');
  const username = form.get('username');
  if (name === undefined && username === undefined) throw badRequest('request body must contain a username');
  if (name !== undefined && username !== undefined && name !== username) {
    throw badRequest('request body contains different usernames');
  }
  return (username ?? name)!;
}

function login(context: RequestContext, state: ServerState): Reply {
  const form = loginForm(context);
  const name = userName(form);
  const user = state.users.get(name);
  const now = context.request.now;
  if (user === undefined || user.password !== (form.get('password') ?? '')) {
    // A failed login also clears whatever session the client had.
    const headers = { 'Set-Cookie': sessionCookieHeader('', now) };
    return jsonReply(401, unauthorized(BAD_CREDENTIALS).body(), headers);
  }
  const token = makeSessionToken(user, state.cookieSecret, Math.floor(now / 1000));
  const headers = { 'Set-Cookie': sessionCookieHeader(token, now) };
  const reply = jsonReply(200, { ok: true, name: user.name, roles: user.roles }, headers);
  // The response is made as the user who just logged in.
  context.user = userCtxOf(user, 'default');
  return reply;
}

function sessionInfo(user: UserCtx): Reply {
  const info: Record<string, unknown> = { authentication_handlers: ['cookie', 'default'] };
  if (user.handler !== null) info['authenticated'] = user.handler;
  return jsonReply(200, { ok: true, userCtx: { name: user.name, roles: user.roles }, info });
}

/** `/_session`: log in (POST), who am I (GET), log out (DELETE). */
export function handleSession(context: RequestContext, state: ServerState): Reply {
  switch (context.method) {
    case 'POST':
      return login(context, state);
    case 'GET':
      if (context.user.name === null && queryValue(context, 'basic') === 'true') throw unauthorized('Please login.');
      return sessionInfo(context.user);
    case 'DELETE':
      return jsonReply(200, { ok: true }, { 'Set-Cookie': sessionCookieHeader('', context.request.now) });
    default:
      throw methodNotAllowed('GET,HEAD,POST,DELETE');
  }
}
