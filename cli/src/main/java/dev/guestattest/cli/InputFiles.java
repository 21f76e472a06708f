// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.AttestationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** Reads the files commands are given: a regular file, bounded before it is read; the twin of {@link OutputFiles}. */
final class InputFiles {
    static final long MAX_PEM = 1 << 20;

    private InputFiles() {
    }

    /**
     * The file's bytes, at most {@code limit}. A missing, unreadable or oversized file is bad input
     * (exit 2) naming the option, as the CLI contract has it.
     */
    static byte[] read(String option, Path file, long limit) {
        if (!Files.isRegularFile(file)) {
            throw AttestationException.invalid(option, file + " is not a readable file");
        }
        try {
            if (Files.size(file) > limit) {
                throw AttestationException.tooLarge(option, Files.size(file), limit);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw AttestationException.invalid(option, file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** {@code path}, a file or directory that must exist and be readable: bad input naming the option otherwise. */
    static Path existing(String option, Path path) {
        if (!Files.isReadable(path)) {
            throw AttestationException.invalid(option, path + (Files.exists(path) ? " is not readable" : " does not exist"));
        }
        return path;
    }

    /** Every certificate in a PEM file; a file with none is an error. */
    static List<X509Certificate> certificates(String option, Path pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(read(option, pem, MAX_PEM)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw AttestationException.invalid(option, pem + " holds no certificate");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid(option, pem + " is not a PEM certificate: " + e.getMessage());
        }
    }
}
