/** One benchmark: prints its own table; never asserts (numbers are for people, not CI). */
export interface Bench {
  name: string;
  run(): Promise<void>;
}
