import { assertFetchedAnswersClean, installFetchContract } from './fetch-contract';

// Every test file: answers of API processes started as children are checked against the
// OpenAPI document as they arrive (fetch-contract.ts); the file fails at its end if one
// was not described.
installFetchContract();
afterAll(() => assertFetchedAnswersClean());
