# Built once with the dev dependencies (TypeScript), run without them: plain `node dist/…`, no tsx at run time.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# Writable for the unprivileged user: ./var (default STORAGE_DIR, MAIL_DIR) and compose's files volume.
RUN mkdir -p var /data/files && chown node:node var /data/files
USER node
EXPOSE 8000
# Exec form: node is PID 1 and receives SIGTERM itself (runMain drains and exits 0).
CMD ["node", "dist/src/main/api.js"]
