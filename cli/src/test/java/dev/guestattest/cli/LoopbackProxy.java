// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP proxy on loopback, plain sockets, for tests: {@code CONNECT host:port} tunnels (what a
 * client does for {@code https://}) and absolute-form requests forwarded (for {@code http://}), every
 * host sent to this machine's loopback, so that a name nothing resolves ({@code broker.test}) reaches
 * a broker only if the request went through here. It remembers each request line it saw.
 */
final class LoopbackProxy implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private LoopbackProxy(ServerSocket server) {
        this.server = server;
    }

    static LoopbackProxy start() throws IOException {
        LoopbackProxy p = new LoopbackProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        p.pool.execute(p::accept);
        return p;
    }

    /** What to put in HTTPS_PROXY or HTTP_PROXY. */
    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The request lines seen so far ({@code CONNECT broker.test:8443 HTTP/1.1}, {@code GET http://... HTTP/1.1}). */
    List<String> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                pool.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = head(in);
            String line = head.substring(0, head.indexOf("\r\n"));
            seen.add(line);
            String[] parts = line.split(" ");
            OutputStream out = client.getOutputStream();
            if (parts[0].equals("CONNECT")) {
                int port = Integer.parseInt(parts[1].substring(parts[1].lastIndexOf(':') + 1));
                try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    pump(in, out, upstream);
                }
                return;
            }
            URI target = URI.create(parts[1]);
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target.getPort())) {
                // origin-form upstream, one request per connection (so that each is seen here)
                StringBuilder rewritten = new StringBuilder(parts[0] + " " + target.getRawPath()
                        + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()) + " " + parts[2] + "\r\n");
                for (String h : head.substring(head.indexOf("\r\n") + 2).split("\r\n")) {
                    String name = h.contains(":") ? h.substring(0, h.indexOf(':')).trim().toLowerCase() : "";
                    if (!h.isEmpty() && !name.equals("connection") && !name.equals("proxy-connection")) {
                        rewritten.append(h).append("\r\n");
                    }
                }
                rewritten.append("Connection: close\r\n\r\n");
                upstream.getOutputStream().write(rewritten.toString().getBytes(StandardCharsets.ISO_8859_1));
                pump(in, out, upstream);
            }
        } catch (IOException | RuntimeException e) {
            // the client or the broker went away: this exchange is over
        }
    }

    /** Bytes both ways until the upstream side is done. */
    private void pump(InputStream clientIn, OutputStream clientOut, Socket upstream) throws IOException {
        pool.execute(() -> {
            try {
                clientIn.transferTo(upstream.getOutputStream());
                upstream.shutdownOutput(); // the client is done: let the broker see it and close its side
            } catch (IOException done) {
                // the exchange is over
            }
        });
        upstream.getInputStream().transferTo(clientOut);
        clientOut.flush();
    }

    /** The request's line and headers, through the blank line; the body stays in the stream. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the client closed before its request's head ended");
            }
            b.write(c);
            matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
