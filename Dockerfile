# syntax=docker/dockerfile:1
# Multi-stage image of the concert reservation service.
#   build:   full install (dev tools included), Prisma client generated, web assets built when
#            the project has a build script, then pruned to production dependencies.
#   runtime: the pruned tree only, run as the unprivileged `node` user.
# The service runs its TypeScript through @swc-node/register (a runtime dependency), exactly as
# `npm start` does on a developer machine, so there is no second, compiled code path to drift.

ARG NODE_VERSION=26

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV CI=true
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts tsconfig.json ./
# postinstall runs `prisma generate` (src/generated/prisma), which needs the schema copied above.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run generate \
 && npm run build --if-present \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 4000
# /readyz: MySQL and Redis reachable. The image has no curl; Node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (src/main.ts: graceful shutdown).
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=64", "--disable-warning=DEP0205", "--import", "@swc-node/register/esm-register", "src/main.ts"]
