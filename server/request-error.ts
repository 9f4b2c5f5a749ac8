/** A refusal of bad input that names its HTTP answer; the edge maps `status` onto the response as is. */
export class RequestError<S extends 400 | 404 | 409 | 413 | 415 | 422> extends Error {
  constructor(
    readonly status: S,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
