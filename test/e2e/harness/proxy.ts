// E2E harness: name resolution for the test registry host names without
// touching /etc/hosts or DNS. skopeo (Go's http.ProxyFromEnvironment) sends
// every request for registry.e2e.test & co. to this forward proxy, which
// relays it to the local registry on 127.0.0.1 and refuses everything else.
//
// Why not a registries.conf `location` rewrite: containers/image 5.34 resolves
// registries.d (use-sigstore-attachments) against the *physical* (rewritten)
// reference, so the node's rendered sigstore-registries.yaml, written for the
// names the policies use, would not apply. With the proxy the name skopeo
// uses, the name in the policy and the name in registries.d are one name, as
// on a node with real DNS.

import { createServer, request, type Server } from 'node:http'

export interface Proxy {
  /** http://127.0.0.1:<port> for HTTP_PROXY / HTTPS_PROXY */
  readonly url: string
  /** Requests relayed and refused, for diagnostics. */
  readonly stats: { relayed: number; refused: string[] }
  readonly close: () => Promise<void>
}

/** Starts the proxy on 127.0.0.1 (a free port); `hosts` are relayed to `upstream` (host:port). */
export function startProxy(hosts: readonly string[], upstream: string): Promise<Proxy> {
  const allowed = new Set(hosts)
  const [upstreamHost, upstreamPort] = upstream.split(':') as [string, string]
  const stats = { relayed: 0, refused: [] as string[] }
  const server: Server = createServer((req, res) => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end()
      return
    }
    if (target.protocol !== 'http:' || !allowed.has(target.host)) {
      stats.refused.push(`${req.method} ${req.url}`)
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`e2e proxy: ${target.host} is not a test host\n`)
      return
    }
    stats.relayed++
    const upstreamRequest = request(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: { ...req.headers, host: target.host },
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
        upstreamResponse.pipe(res)
      },
    )
    upstreamRequest.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502)
      res.end(`e2e proxy: ${err.message}\n`)
    })
    req.pipe(upstreamRequest)
  })
  // HTTPS goes through CONNECT: refuse it, so containers/image falls back to
  // plain HTTP (the pulls run with --src-tls-verify=false).
  server.on('connect', (req, socket) => {
    stats.refused.push(`CONNECT ${req.url}`)
    socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        stats,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
