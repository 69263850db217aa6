// Jest setup of the "etcd" project: the API server's integration tests run on the etcd backend.
process.env.SKIFF_TEST_DATASTORE = 'etcd';
