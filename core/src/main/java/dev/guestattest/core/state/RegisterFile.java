// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An emulator's runtime registers, persisted as one file of {@code count} digests of {@code hash}
 * in a state directory: read whole, extended under the directory's lock and rewritten atomically,
 * so extends from several processes neither interleave nor tear.
 */
record RegisterFile(Path dir, String name, int count, HashAlgorithm hash) {
    /** Creates the file with zeroed registers if it does not exist; call under the directory's lock. */
    public void createIfAbsent() {
        if (!Files.exists(dir.resolve(name))) {
            PemFiles.writeAtomically(dir.resolve(name), new byte[count * hash.size()], false);
        }
    }

    public List<Bytes> read() {
        Path file = dir.resolve(name);
        try {
            byte[] all = Files.readAllBytes(file);
            if (all.length != count * hash.size()) {
                throw new IOException("expected " + count * hash.size() + " bytes");
            }
            List<Bytes> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(Bytes.of(all, hash.size() * i, hash.size()));
            }
            return out;
        } catch (IOException e) {
            throw PemFiles.corrupt(file, e);
        }
    }

    /** Register {@code index} := H(register || digest); returns the new value. */
    public Bytes extend(int index, Bytes digest) {
        return StateLock.with(dir, () -> {
            List<Bytes> r = new ArrayList<>(read());
            r.set(index, Bytes.of(hash.extend(r.get(index).toArray(), digest.toArray())));
            byte[] out = new byte[count * hash.size()];
            for (int i = 0; i < count; i++) {
                r.get(i).copyTo(out, i * hash.size());
            }
            PemFiles.writeAtomically(dir.resolve(name), out, false);
            return r.get(index);
        });
    }
}
