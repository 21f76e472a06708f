// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The caller data, given exactly one way, checked before any provider sees it. */
final class InblobOptions {
    static final class Source {
        @Option(names = "--inblob-hex", paramLabel = "HEX", description = "Caller data as hex (up to 64 bytes)")
        String hex;

        @Option(names = "--inblob-b64", paramLabel = "BASE64", description = "Caller data as base64 (up to 64 bytes)")
        String base64;

        @Option(names = "--inblob-file", paramLabel = "FILE", description = "Caller data from a file (up to 64 bytes)")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--pad", description = "Zero-pad shorter caller data to 64 bytes (TDX and SNP need exactly 64)")
    boolean pad;

    byte[] bytes() {
        byte[] raw;
        if (source.hex != null) {
            raw = Bytes.fromHex("--inblob-hex", source.hex).toArray();
        } else if (source.base64 != null) {
            try {
                raw = Base64.getDecoder().decode(source.base64.strip());
            } catch (IllegalArgumentException e) {
                throw AttestationException.invalid("--inblob-b64", "not valid base64 (" + e.getMessage() + ")");
            }
        } else {
            raw = InputFiles.read("--inblob-file", source.file, ReportRequest.INBLOB_MAX);
        }
        return padded("inblob", raw, pad);
    }

    /**
     * The one padding rule of caller data and report data (report, verify, appraise): at most 64
     * bytes; with {@code pad}, shorter data zero-padded to 64, as every TEE's report carries it.
     */
    static byte[] padded(String field, byte[] raw, boolean pad) {
        if (raw.length > ReportRequest.INBLOB_MAX) {
            throw AttestationException.tooLarge(field, raw.length, ReportRequest.INBLOB_MAX);
        }
        return pad && raw.length < ReportRequest.INBLOB_MAX ? Arrays.copyOf(raw, ReportRequest.INBLOB_MAX) : raw;
    }
}
