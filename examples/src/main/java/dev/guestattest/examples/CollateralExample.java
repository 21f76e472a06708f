// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.examples;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralService;
import dev.guestattest.core.collateral.DirectoryStore;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.Appraisal;
import dev.guestattest.verify.AppraisalContext;
import dev.guestattest.verify.Appraiser;
import java.nio.file.Path;
import java.util.Map;

/** docs/verification.md: a quote appraised alone, the appraiser fetching and caching its collateral. */
public final class CollateralExample {
    private CollateralExample() {
    }

    public static Appraisal appraise(byte[] quote, Origins origins, Path cache, AppraisalContext context) {
        CollateralService collateral = CollateralService.builder().origins(origins)   // default: Intel's PCS and AMD's KDS
                .store(new DirectoryStore(cache)).build();                            // checked documents, kept across runs
        Appraisal a = Appraiser.discover().withCollateral(collateral)                 // the quote alone, as a guest sends it
                .appraise(Evidence.of(Bytes.of(quote), Map.of()), context);
        return a;
    }
}
