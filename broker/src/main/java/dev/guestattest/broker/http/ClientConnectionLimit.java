// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.http;

import dev.guestattest.broker.ClientAddress;
import dev.guestattest.broker.Metrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.IO;

/**
 * Caps the connections one client holds open. Jetty's own limits count all clients together, so one
 * client could take them all; this counts by address (IPv6 by /64, which one host usually holds
 * whole). Past the cap a connection is closed as it is accepted, before it costs a buffer, a parse or
 * a thread. Counted per accepted channel, released when its endpoint closes.
 */
final class ClientConnectionLimit implements SelectorManager.AcceptListener {
    private final int max;
    private final Metrics metrics;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final Map<SelectableChannel, InetAddress> counted = new ConcurrentHashMap<>();

    ClientConnectionLimit(int max, Metrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        Optional<InetAddress> who = client(channel);
        if (who.isEmpty()) {
            return; // no peer address: the channel is already closed, and Jetty fails its registration
        }
        boolean[] admitted = new boolean[1];
        open.compute(who.get(), (k, n) -> {
            int held = n == null ? 0 : n;
            admitted[0] = held < max;
            return admitted[0] ? held + 1 : n;
        });
        if (admitted[0]) {
            counted.put(channel, who.get());
        } else {
            // closed here, Jetty's registration of the channel fails and it is never read from
            metrics.countRefusedConnection();
            IO.close(channel);
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        release(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        release(channel);
    }

    private void release(SelectableChannel channel) {
        InetAddress who = counted.remove(channel);
        if (who != null) {
            open.computeIfPresent(who, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    private static Optional<InetAddress> client(SelectableChannel channel) {
        try {
            if (channel instanceof SocketChannel s && s.getRemoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
                return Optional.of(ClientAddress.group(a.getAddress()));
            }
        } catch (IOException closed) {
            // no peer: nothing to count
        }
        return Optional.empty();
    }
}
