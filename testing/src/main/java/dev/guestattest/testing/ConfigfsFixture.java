// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.testing;

import dev.guestattest.core.configfs.ConfigfsIo;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.configfs.ErrnoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * A fake configfs-tsm: plays the kernel's part in a temporary directory, so the real
 * {@link dev.guestattest.core.configfs.ConfigfsReports} client, and every provider declared with
 * {@link dev.guestattest.core.configfs.ConfigfsProvider}, can be tested off a TEE. Items are
 * real directories holding one file per visible attribute; the fixture keeps each item's inputs,
 * generation counters and cached outputs with the kernel's rules (linux-abi.md §1.4-1.6) and can
 * inject any errno on any call.
 */
public final class ConfigfsFixture implements ConfigfsIo {
    public static final List<String> TDX_ATTRS = List.of("generation", "provider", "inblob", "outblob");
    public static final List<String> SNP_ATTRS = List.of("generation", "provider", "privlevel", "privlevel_floor",
            "inblob", "outblob", "auxblob");

    private final Path root;
    private final String providerName;
    private final List<String> visible;
    private final Function<byte[], byte[]> evidence;
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<Path, Item> items = new HashMap<>();
    public final Set<Path> created = new HashSet<>();
    public final Set<Path> removed = new HashSet<>();
    public int generations;
    private boolean registered = true;
    private boolean dropInblobStores;
    private int privlevelFloor;
    private Runnable afterBlobRead = () -> { };

    private static final class Item {
        byte[] inblob = new byte[0];
        long writeGeneration;
        long readGeneration;
        byte[] outblob;
        int privlevel;
    }

    public ConfigfsFixture(Path root, String providerName, List<String> visible, Function<byte[], byte[]> evidence) {
        this.root = root;
        this.providerName = providerName;
        this.visible = visible;
        this.evidence = evidence;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** Makes {@code op} ("mkdir", "rmdir", "read", "write") on {@code attr} ("" for directories, "*" for all) fail with {@code errno}. */
    public ConfigfsFixture fail(String op, String attr, int errno) {
        failures.put(op + ":" + attr, errno);
        return this;
    }

    /** Like the kernel with no provider registered: mkdir and reads fail with ENXIO. */
    public ConfigfsFixture unregistered() {
        registered = false;
        return this;
    }

    /** The inblob store fails at close() and configfs drops the error (the wrap guard case). */
    public ConfigfsFixture dropInblobStores() {
        dropInblobStores = true;
        return this;
    }

    public ConfigfsFixture privlevelFloor(int floor) {
        privlevelFloor = floor;
        return this;
    }

    /** Runs after each blob read, e.g. to act as a concurrent writer. */
    public ConfigfsFixture afterBlobRead(Runnable hook) {
        afterBlobRead = hook;
        return this;
    }

    /** Bumps the generation of every live item, as another writer would. */
    public void foreignWrite() {
        items.values().forEach(i -> i.writeGeneration++);
    }

    private void inject(String op, Path path) {
        String attr = path.getParent() != null && items.containsKey(path.getParent()) ? path.getFileName().toString() : "";
        Integer errno = failures.getOrDefault(op + ":" + attr, failures.get(op + ":*"));
        if (errno != null) {
            throw new ErrnoException(errno, op, path);
        }
    }

    @Override
    public synchronized void mkdir(Path dir) {
        inject("mkdir", dir);
        if (!registered) {
            throw new ErrnoException(Errno.ENXIO, "mkdir", dir);
        }
        if (!dir.getParent().equals(root)) {
            throw new ErrnoException(Files.isDirectory(dir.getParent()) ? Errno.EPERM : Errno.ENOENT, "mkdir", dir);
        }
        if (items.containsKey(dir)) {
            throw new ErrnoException(Errno.EEXIST, "mkdir", dir);
        }
        try {
            Files.createDirectory(dir);
            for (String attr : visible) {
                Files.write(dir.resolve(attr), new byte[0]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        items.put(dir, new Item());
        created.add(dir);
    }

    @Override
    public synchronized void rmdir(Path dir) {
        inject("rmdir", dir);
        if (items.remove(dir) == null) {
            throw new ErrnoException(Errno.ENOENT, "rmdir", dir);
        }
        try {
            for (String attr : visible) {
                Files.deleteIfExists(dir.resolve(attr));
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        removed.add(dir);
    }

    @Override
    public boolean exists(Path file) {
        return Files.exists(file);
    }

    @Override
    public synchronized void write(Path file, byte[] data) {
        Item item = item(file, "write");
        inject("write", file);
        String attr = file.getFileName().toString();
        switch (attr) {
            case "inblob" -> {
                if (data.length > 64) {
                    throw new ErrnoException(Errno.EFBIG, "write", file);
                }
                if (dropInblobStores) {
                    return; // store error at close() is ignored by configfs: the caller cannot see it
                }
                item.inblob = data.clone();
                item.writeGeneration++;
            }
            case "privlevel" -> {
                int v;
                try {
                    v = Integer.parseInt(new String(data, StandardCharsets.US_ASCII).strip());
                } catch (NumberFormatException e) {
                    throw new ErrnoException(Errno.EINVAL, "write", file);
                }
                if (v < privlevelFloor || v > 3) {
                    throw new ErrnoException(Errno.EINVAL, "write", file);
                }
                item.privlevel = v;
                item.writeGeneration++;
            }
            case "service_guid" -> {
                item.writeGeneration++; // the kernel bumps before parsing
                try {
                    UUID.fromString(new String(data, StandardCharsets.US_ASCII).strip());
                } catch (IllegalArgumentException e) {
                    throw new ErrnoException(Errno.EINVAL, "write", file);
                }
            }
            case "service_provider", "service_manifest_version" -> item.writeGeneration++;
            default -> throw new ErrnoException(Errno.EACCES, "write", file);
        }
    }

    @Override
    public synchronized byte[] read(Path file, int max) {
        Item item = item(file, "read");
        inject("read", file);
        String attr = file.getFileName().toString();
        return switch (attr) {
            case "generation" -> ascii(item.writeGeneration + "\n");
            case "provider" -> ascii(providerName + "\n");
            case "privlevel_floor" -> ascii(privlevelFloor + "\n");
            case "outblob", "auxblob", "manifestblob" -> {
                byte[] out = blob(item, file, attr, max);
                afterBlobRead.run();
                yield out;
            }
            default -> throw new ErrnoException(Errno.EACCES, "read", file);
        };
    }

    private byte[] blob(Item item, Path file, String attr, int max) {
        if (!registered) {
            throw new ErrnoException(Errno.ENXIO, "read", file);
        }
        if (item.inblob.length == 0) {
            throw new ErrnoException(Errno.EINVAL, "read", file);
        }
        if (item.outblob == null || item.readGeneration != item.writeGeneration) {
            Integer generateErrno = failures.get("generate:");
            if (generateErrno != null) {
                throw new ErrnoException(generateErrno, "read", file);
            }
            item.outblob = evidence.apply(item.inblob.clone());
            item.readGeneration = item.writeGeneration;
            generations++;
        }
        byte[] value = attr.equals("outblob") ? item.outblob : new byte[0];
        if (value.length > max) {
            throw new ErrnoException(Errno.EFBIG, "read", file);
        }
        return Arrays.copyOf(value, value.length);
    }

    /** Makes the provider's report generation fail with {@code errno} (EIO, ETIMEDOUT, EBUSY, ...). */
    public ConfigfsFixture failGeneration(int errno) {
        failures.put("generate:", errno);
        return this;
    }

    private Item item(Path file, String op) {
        Item item = items.get(file.getParent());
        if (item == null || !visible.contains(file.getFileName().toString())) {
            throw new ErrnoException(Errno.ENOENT, op, file);
        }
        return item;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
