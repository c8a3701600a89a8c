// Runs before each test file of the "distributed" Jest project: startApi() then builds
// a Kafka + Redis + ClickHouse stack instead of the embedded stores.
process.env.WAYMARK_TEST_MODE = 'distributed';
