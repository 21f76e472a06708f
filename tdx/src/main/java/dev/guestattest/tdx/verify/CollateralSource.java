// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where the collateral for a platform (keyed by FMSPC) comes from. */
@FunctionalInterface
public interface CollateralSource {
    /** The collateral for the platform with {@code fmspc} whose PCK {@code ca} issued; a typed error when there is none. */
    Collateral forPlatform(Bytes fmspc, PckCa ca);

    /** The same collateral for every platform. */
    static CollateralSource of(Collateral collateral) {
        return (fmspc, ca) -> collateral;
    }

    /** dcap-qvl JSON files named {@code <FMSPC>.json} (upper- or lower-case hex) in {@code dir}. */
    static CollateralSource directory(Path dir) {
        return (fmspc, ca) -> {
            for (String name : new String[] {fmspc.hex().toUpperCase(Locale.ROOT), fmspc.hex()}) {
                Path f = dir.resolve(name + ".json");
                if (Files.isRegularFile(f)) {
                    return file(f);
                }
            }
            throw AttestationException.of(Reason.KEY_NOT_FOUND, "collateral: no " + fmspc.hex().toUpperCase(Locale.ROOT) + ".json in " + dir);
        };
    }

    /** Reads one dcap-qvl collateral JSON file, bounded in size. */
    static Collateral file(Path f) {
        try {
            long size = Files.size(f);
            if (size > Collateral.MAX_JSON) {
                throw AttestationException.tooLarge("collateral " + f, size, Collateral.MAX_JSON);
            }
            return Collateral.fromDcapQvlJson(Files.readAllBytes(f));
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "collateral: cannot read " + f + ": " + e.getMessage());
        }
    }
}
