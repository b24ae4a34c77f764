import { startTestServer, headersFor } from "../support/server.ts";
import { membersApiSpec, startMembersApi } from "../support/connections-upstream.ts";
const s = await startTestServer();
const H = { ...headersFor(s.admin), "content-type": "application/json" };
const FS = `${s.url}/data/foundation/flowservice`;
async function call(method: string, url: string, body?: string) {
  const t = performance.now();
  const r = await fetch(url, { method, headers: H, body });
  const text = await r.text();
  return `${r.status} ${Math.round(performance.now() - t)}ms ${text.slice(0, 300)}`;
}
const deep = (n: number) => '{"name":"x","connectionSpec":{"id":"a"},"auth":{"specName":"b","params":' + "[".repeat(n) + "]".repeat(n) + "}}";
console.log("deep params 100k", await call("POST", `${FS}/connections`, deep(100_000)));
const deepObj = (n: number) => '{"name":' + '{"a":'.repeat(n) + "1" + "}".repeat(n) + "}";
console.log("deep name 100k", await call("POST", `${FS}/flows`, deepObj(100_000)));
console.log("deep dataset", await call("POST", `${s.url}/data/foundation/catalog/dataSets`, '{"name":"d","schema":' + '{"type":"object","properties":{"a":'.repeat(20000) + '{"type":"string"}' + "}}".repeat(20000) + "}"));
console.log("deep mapping", await call("POST", `${s.url}/data/foundation/conversion/mappingSets`, '{"mappings":[' + "[".repeat(200000) + "]".repeat(200000) + "]}"));
console.log("deep patch", await call("POST", `${FS}/connectionSpecs`, '{"a":' + "[".repeat(300000) + "]".repeat(300000) + "}"));
console.log("deep playground", await call("POST", `${s.url}/inlet/playground/lint`, '{"spec":' + "[".repeat(300000) + "]".repeat(300000) + "}"));
console.log("deep playground text", await call("POST", `${s.url}/inlet/playground/lint`, JSON.stringify({ text: '{"a":' + "[".repeat(300000) + "]".repeat(300000) + "}" })));
console.log("deep playground read", await call("POST", `${s.url}/inlet/playground/read`, JSON.stringify({ text: '{"a":' + "[".repeat(300000) + "]".repeat(300000) + "}" })));
console.log("limit", await call("GET", `${FS}/connections?limit=99999999999999999999`));
console.log("prop", await call("GET", `${FS}/connections?property=${"a.".repeat(4000)}a==1`));
console.log("prop2", await call("GET", `${FS}/connections?property=a==${",".repeat(8000)}`));
console.log("prop3", await call("GET", `${FS}/connections?property=${"a[]".repeat(2000)}==1`));
console.log("orderby", await call("GET", `${FS}/connections?orderby=${"-a,".repeat(3000)}b`));
console.log("ds limit", await call("GET", `${s.url}/data/foundation/catalog/dataSets?limit=99999999999`));
console.log("too big", await call("POST", `${FS}/connections`, JSON.stringify({ name: "x".repeat(2_000_000) })));
const api = await startMembersApi({ password: "pw-secret-123" });
const spec = await (await fetch(`${FS}/connectionSpecs`, { method: "POST", headers: H, body: JSON.stringify(membersApiSpec()) })).json();
for (const u of ["file:///etc/passwd", "data:application/json,{}", "ftp://127.0.0.1/x", "gopher://127.0.0.1/x", "javascript:alert(1)"]) {
  console.log("testUrl", u, await call("POST", `${FS}/connections`, JSON.stringify({ name: "c", connectionSpec: { id: spec.id }, auth: { specName: "Basic Authentication", params: { host: api.url, username: "ana", password: "pw-secret-123", authorizationTestUrl: u } } })));
}
for (const u of ["file:///etc/passwd", "data:application/json,{}"]) {
  console.log("host", u, await call("POST", `${s.url}/inlet/playground/read`, JSON.stringify({ spec: membersApiSpec(), auth: { host: u, username: "a", password: "b" }, params: { listId: "xx" } })));
  console.log("host-test", u, await call("POST", `${s.url}/inlet/playground/test`, JSON.stringify({ spec: membersApiSpec(), auth: { host: api.url, username: "a", password: "b", authorizationTestUrl: u }, params: { listId: "xx" } })));
}
const c = await (await fetch(`${FS}/connections`, { method: "POST", headers: H, body: JSON.stringify({ name: "c", connectionSpec: { id: spec.id }, auth: { specName: "Basic Authentication", params: { host: "file:///etc", username: "ana", password: "pw-secret-123" } } }) })).json();
console.log("conn file host", JSON.stringify(c));
console.log("explore file host", await call("GET", `${FS}/connections/${c.id}/explore?sourceParams=${Buffer.from('{"listId":"xy"}').toString("base64")}`));
console.log("test file host", await call("GET", `${FS}/connections/${c.id}/test`));
console.log("proto", ({} as any).polluted);
await api.close();
await s.close();
