package io.llmsentinel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One loopback port in front of two servers, as InfluxDB 3 serves HTTP and Flight (gRPC) on the
 * same port: a connection that opens with the HTTP/2 prior-knowledge preface (gRPC) goes to one
 * backend, anything else (HTTP/1.1) to the other. Bytes are copied both ways unchanged.
 */
final class PortMux implements AutoCloseable {
    private static final byte[] H2_PREFACE =
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final int http1Port;
    private final int h2Port;
    private volatile boolean open = true;

    PortMux(int port, int http1Port, int h2Port) throws IOException {
        this.http1Port = http1Port;
        this.h2Port = h2Port;
        server = new ServerSocket(port, 128, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "influx-translator-mux");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (open) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> route(client), "influx-translator-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (open) {
                    System.err.println("mux: " + e);
                }
            }
        }
    }

    private void route(Socket client) {
        try {
            InputStream in = client.getInputStream();
            byte[] head = new byte[H2_PREFACE.length];
            int n = 0;
            // Enough bytes to tell the protocols apart (an HTTP/1.1 request line differs early).
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
                if (!Arrays.equals(head, 0, n, H2_PREFACE, 0, n)) {
                    break;
                }
            }
            boolean h2 = n == head.length && Arrays.equals(head, H2_PREFACE);
            Socket backend = new Socket();
            backend.connect(
                    new InetSocketAddress(
                            InetAddress.getLoopbackAddress(), h2 ? h2Port : http1Port),
                    5000);
            backend.getOutputStream().write(head, 0, n);
            pump(client.getInputStream(), backend.getOutputStream(), backend, client);
            pump(backend.getInputStream(), client.getOutputStream(), client, backend);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static void pump(
            InputStream from, OutputStream to, Socket toSocket, Socket fromSocket) {
        Thread t =
                new Thread(
                        () -> {
                            byte[] buf = new byte[16384];
                            try {
                                for (int r; (r = from.read(buf)) >= 0; ) {
                                    to.write(buf, 0, r);
                                    to.flush();
                                }
                            } catch (IOException ignored) {
                                // the other side closed
                            } finally {
                                closeQuietly(toSocket);
                                closeQuietly(fromSocket);
                            }
                        },
                        "influx-translator-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
