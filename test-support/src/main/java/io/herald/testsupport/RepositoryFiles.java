package io.herald.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the Herald repository the tests must agree with (the Kafka users of the Kubernetes manifests, the
 * PostgreSQL roles script): found from {@code -Dherald.repo.root}, else from the working directory upwards.
 */
final class RepositoryFiles {

    private RepositoryFiles() {
    }

    static Path resolve(String relative) {
        String configured = System.getProperty("herald.repo.root");
        if (configured != null && Files.exists(Path.of(configured).resolve(relative))) {
            return Path.of(configured).resolve(relative);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found from " + Path.of("").toAbsolutePath()
                + ": run the tests inside the Herald repository (or set -Dherald.repo.root)");
    }
}
