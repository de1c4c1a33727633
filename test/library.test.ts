/**
 * test/library/: Fabric's library called in the test process, from claims to dist/ (loading, validation, the
 * plan and its guards, the writer, init). The suites that run Fabric as a process are beside this file.
 */
import * as path from 'path';
import { runSpecs } from './_spec-suite';

runSpecs(path.join(__dirname, 'library'));
