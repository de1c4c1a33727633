/**
 * The one error type for what the user must fix (a bad Machine, a setting, a refused plan, a bad option):
 * the command line prints its message alone, while any other error is a defect of Fabric and prints its stack.
 */
export class FabricError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
