// The official MCP TypeScript SDK's client (@modelcontextprotocol/sdk from npm), driving
// `kubectl mcp serve` for tests/mcp_ts.rs: over stdio (node client.mjs BINARY ARGS...) or
// Streamable HTTP (node client.mjs http://127.0.0.1:PORT/mcp, with the bearer token in
// $MCP_BEARER_TOKEN).
// It prints one JSON line per event: {"event":"initialized",...} once connected, then
// {"event":"updated","uri":...} for each resources/updated notification, and for every command
// read from stdin (one JSON object a line: {"id","op",...}) a line {"id","ok","result"|"error"}.
import readline from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [command, ...args] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const client = new Client({ name: "kubectl-mcp-tests", version: "1.0.0" });
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
  out({ event: "updated", uri: n.params.uri }),
);
client.setNotificationHandler(ResourceListChangedNotificationSchema, () =>
  out({ event: "listChanged" }),
);
await client.connect(
  command.startsWith("http://")
    ? new StreamableHTTPClientTransport(new URL(command), {
        requestInit: process.env.MCP_BEARER_TOKEN
          ? { headers: { Authorization: `Bearer ${process.env.MCP_BEARER_TOKEN}` } }
          : {},
      })
    : new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" }),
);
out({
  event: "initialized",
  server: client.getServerVersion(),
  capabilities: client.getServerCapabilities(),
});

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  try {
    let result;
    switch (cmd.op) {
      case "listTools":
        result = await client.listTools();
        break;
      case "listResources":
        result = await client.listResources(cmd.params ?? {});
        break;
      case "listResourceTemplates":
        result = await client.listResourceTemplates();
        break;
      case "readResource":
        result = await client.readResource({ uri: cmd.uri });
        break;
      case "callTool":
        result = await client.callTool({ name: cmd.name, arguments: cmd.arguments ?? {} });
        break;
      case "subscribe":
        result = await client.subscribeResource({ uri: cmd.uri });
        break;
      case "close":
        await client.close();
        out({ id: cmd.id, ok: true });
        process.exit(0);
      default:
        throw new Error(`unknown op ${cmd.op}`);
    }
    out({ id: cmd.id, ok: true, result });
  } catch (e) {
    out({ id: cmd.id, ok: false, error: String(e?.message ?? e), code: e?.code ?? null });
  }
}
