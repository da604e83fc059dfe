// The part of the `jsonld` package the interoperability tests use (it ships no types).
declare module "jsonld" {
  interface RemoteDocument {
    contextUrl?: string | undefined;
    documentUrl: string;
    document: unknown;
  }
  const jsonld: {
    expand(
      input: unknown,
      options?: { documentLoader?: (url: string) => Promise<RemoteDocument> },
    ): Promise<unknown[]>;
  };
  export default jsonld;
}
