// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Documents as {@code <key>.json} files under a directory (0700, files 0600, replaced atomically):
 * the CLI's cache, and the layout {@code collateral fetch --out} writes for air-gapped sites.
 */
public final class DirectoryStore implements CollateralStore {
    private final Path dir;

    public DirectoryStore(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    private Path file(String key) {
        return dir.resolve(Document.checkKey(key) + ".json");
    }

    @Override
    public Optional<Document> get(String key) {
        Path f = file(key);
        try {
            if (Files.size(f) > Document.MAX_BODY * 2L) {
                return Optional.empty();
            }
            Document d = Document.fromJson(f.toString(), Files.readAllBytes(f));
            return d.key().equals(key) ? Optional.of(d) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | AttestationException e) {
            return Optional.empty(); // an unreadable copy is as good as none: it is fetched again
        }
    }

    @Override
    public void put(Document document) {
        Path f = file(document.key());
        try {
            AtomicFiles.createPrivateDirectories(f.getParent());
            AtomicFiles.write(f, document.toJson(), false);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot write the collateral cache " + f + ": " + e.getMessage());
        }
    }

    @Override
    public List<Document> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Document> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir, 6)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p))::iterator) {
                String rel = dir.relativize(f).toString();
                String key = rel.substring(0, rel.length() - ".json".length()).replace(f.getFileSystem().getSeparator(), "/");
                try {
                    get(Document.checkKey(key)).ifPresent(out::add);
                } catch (AttestationException e) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot list " + dir + ": " + e.getMessage());
        }
        return out;
    }
}
