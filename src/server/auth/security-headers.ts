import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Helmet's headers with a Content-Security-Policy for server-rendered pages that load nothing but
 * their own stylesheets and images: no scripts at all, no framing, forms post only back here.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
  });
}
