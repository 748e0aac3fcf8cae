import { createSecureContext, type SecureContext } from 'node:tls';

/**
 * The mock's CA as one TLS context, made once per CA and reused by every connection of every run. Handed the PEM,
 * node:tls and undici build a context from it for each socket (parsing the certificate and loading it into a fresh
 * OpenSSL store: about a quarter of a handshake's cost in this process); that cost is the harness's, not the
 * client's. Verification is unchanged: the context trusts the mock's CA only, and the peer is still checked.
 */
const contexts = new Map<string, SecureContext>();

export function trustedContext(ca: string): SecureContext {
  let context = contexts.get(ca);
  if (context === undefined) {
    // One mock per process in practice (two lanes are two threads); a bound keeps a long-lived embedder safe.
    if (contexts.size >= 16) contexts.clear();
    context = createSecureContext({ ca });
    contexts.set(ca, context);
  }
  return context;
}
