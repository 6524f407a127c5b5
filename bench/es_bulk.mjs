// Bulk-loads JSON Lines articles (zstd-compressed or not) into a newsdex
// server's Elasticsearch API with the OpenSearch JavaScript client's bulk
// helper, as a user moving an archive would: client.helpers.bulk with its
// defaults (5 MB requests, 5 in flight).  Prints one line of JSON:
// {articles, failed, seconds, per_second}.  Used by bench/es_bulk.sh.
// Usage: node bench/es_bulk.mjs URL TOKEN INDEX FILE...
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';

// The client is installed for the tests (tests/es/package.json).
const require = createRequire(new URL('../tests/es/package.json', import.meta.url));
const { Client } = require('@opensearch-project/opensearch');

const [url, token, index, ...files] = process.argv.slice(2);
if (!files.length) { console.error('usage: node bench/es_bulk.mjs URL TOKEN INDEX FILE...'); process.exit(2); }
const client = new Client({ node: url, auth: { username: 'bench', password: token } });

const ids = new Map(); // article object -> its id (the _source is sent without it)
async function* articles() {
  for (const f of files) {
    const input = f.endsWith('.zst') ? spawn('zstd', ['-dc', f], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout : createReadStream(f);
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      const a = JSON.parse(line);
      const id = a.id;
      delete a.id;
      ids.set(a, id);
      yield a;
    }
  }
}

const t0 = process.hrtime.bigint();
const dropped = [];
const stats = await client.helpers.bulk({
  datasource: articles(),
  onDocument: (doc) => {
    const id = ids.get(doc);
    ids.delete(doc);
    return { index: { _index: index, _id: id } };
  },
  onDrop: (d) => dropped.push(d.error),
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (dropped.length) console.error('dropped:', JSON.stringify(dropped.slice(0, 3)));
console.log(JSON.stringify({ articles: stats.successful, failed: stats.failed, seconds: +seconds.toFixed(2),
  per_second: Math.round(stats.successful / seconds) }));
