// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.client;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one TPM command and returns its response: over swtpm's TCP socket or the kernel's resource manager. */
public interface TpmTransport extends AutoCloseable {
    int MAX_RESPONSE = 8192;

    byte[] transmit(byte[] command);

    @Override
    void close();

    /** swtpm's data socket: raw command bytes in, a response with its size in the header out. */
    static TpmTransport tcp(String host, int port, Duration timeout) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
            throw AttestationException.of(Reason.UNSUPPORTED, "no TPM at " + host + ":" + port + " (" + e.getMessage() + ")");
        }
        return new TpmTransport() {
            @Override
            public byte[] transmit(byte[] command) {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(command);
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] header = in.readNBytes(10);
                    if (header.length != 10) {
                        throw AttestationException.of(Reason.DEVICE_ERROR, "the TPM closed the connection mid-response");
                    }
                    long size = (header[2] & 0xffL) << 24 | (header[3] & 0xff) << 16 | (header[4] & 0xff) << 8 | (header[5] & 0xff);
                    if (size < 10 || size > MAX_RESPONSE) {
                        throw AttestationException.of(Reason.DEVICE_ERROR, "TPM response size " + size + " is outside 10.." + MAX_RESPONSE);
                    }
                    byte[] rest = in.readNBytes((int) size - 10);
                    if (rest.length != size - 10) {
                        throw AttestationException.of(Reason.DEVICE_ERROR, "the TPM closed the connection mid-response");
                    }
                    byte[] all = new byte[(int) size];
                    System.arraycopy(header, 0, all, 0, 10);
                    System.arraycopy(rest, 0, all, 10, rest.length);
                    return all;
                } catch (java.net.SocketTimeoutException e) {
                    throw AttestationException.of(Reason.TIMEOUT, "the TPM did not answer within " + timeout.toMillis() + " ms");
                } catch (IOException e) {
                    throw AttestationException.of(Reason.IO_ERROR, "TPM connection: " + e.getMessage());
                }
            }

            @Override
            public void close() {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a socket cannot fail in a way the caller can act on
                }
            }
        };
    }

    /** {@code /dev/tpmrm0}: one write of the command, one read of the response. */
    static TpmTransport device(Path device) {
        RandomAccessFile f;
        try {
            f = new RandomAccessFile(device.toFile(), "rw");
        } catch (IOException e) {
            throw AttestationException.of(Reason.UNSUPPORTED, "cannot open " + device + " (" + e.getMessage() + ")");
        }
        return new TpmTransport() {
            @Override
            public byte[] transmit(byte[] command) {
                try {
                    f.write(command);
                    byte[] buf = new byte[MAX_RESPONSE];
                    int n = f.read(buf);
                    if (n < 10) {
                        throw AttestationException.of(Reason.DEVICE_ERROR, device + " returned " + n + " bytes");
                    }
                    return java.util.Arrays.copyOf(buf, n);
                } catch (IOException e) {
                    throw AttestationException.of(Reason.IO_ERROR, device + ": " + e.getMessage());
                }
            }

            @Override
            public void close() {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // closing a device cannot fail in a way the caller can act on
                }
            }
        };
    }
}
