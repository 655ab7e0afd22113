# ncf serve in an image: the CLI, the site (dist/web) and the production dependencies, run as the
# unprivileged user ncf. The base is built locally without a registry (scripts/docker/base.sh:
# Debian 12 minbase from debootstrap plus this machine's node and npm); with a registry,
# --build-arg BASE=node:20-bookworm-slim does the same. See docs/docker.md.
#   podman build --format docker --isolation=chroot --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t ncf .
# The secret (a CA bundle for a TLS-intercepting proxy) reaches the npm ci step alone.
ARG BASE=ncf-base:bookworm

FROM ${BASE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=secret,id=ca NODE_EXTRA_CA_CERTS=/run/secrets/ca npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY tools ./tools
COPY web ./web
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${BASE}
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ncf \
  && mkdir -p /data /models /datasets && chown ncf /data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY configs ./configs
USER ncf
# The model at /models/model.ncf, datasets under /datasets/<dataset>/, ratings in the /data volume.
ENV NODE_ENV=production NCF_DATA_DIR=/datasets
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/ncf.js"]
CMD ["serve", "--model", "/models/model.ncf", "--host", "0.0.0.0", "--port", "8080", "--db", "/data/ncf-db"]
