// Importing the model packages registers their artifact loaders, so a saved stack of any of them loads.
import '@pipeline/stacking';
import '@pipeline/model-gbdt';
import '@pipeline/model-linear';
import '@pipeline/model-lstm';
import '@pipeline/model-cnn';
import '@pipeline/model-cnn2d';
