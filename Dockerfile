# syntax=docker/dockerfile:1
# The entitlement-diff service image: `serve` reads the mirrored events from Kafka and stores
# the outcomes in ClickHouse. docker-compose.yml builds it; alone: `docker build -t entitlement-diff .`
#
# Node 20 on Debian (glibc: the embedded ClickHouse engine, chdb, ships glibc binaries only).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# `npm install` (with the committed lock; see README for why not `npm ci`) runs `prepare` (tsc), so the sources come first; the npm cache mount keeps
# rebuilds fast anyway.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY policies ./policies
RUN --mount=type=cache,target=/root/.npm \
    npm install --no-audit --no-fund \
    && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The committed policy bundle and the demo's rules and keys, for configs that point at them.
COPY --from=build /app/policies ./policies
COPY --from=build /app/examples ./examples
# A writable place for the embedded store, should a config choose it; compose uses ClickHouse.
RUN mkdir -p /var/lib/entitlement-diff && chown node:node /var/lib/entitlement-diff
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 8080
# The slim image has no curl; Node 20 has fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--max-semi-space-size=32", "bin/entitlement-diff.js"]
CMD ["serve", "--config", "/etc/entitlement-diff/config.yaml"]
