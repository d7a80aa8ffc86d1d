using Google.Protobuf;
using Onnx;

namespace VmNet.ModelFormat;

/// <summary>
/// Writes a <see cref="BranchGraph"/> as an ONNX model (opset 13): input <c>features</c> [N, In] float with a
/// symbolic batch dimension, output <c>embedding</c> [N, Out]. The protobuf classes are OnnxSharp's.
/// </summary>
public static class BranchOnnx
{
    public const string InputName = "features";
    public const string OutputName = "embedding";
    public const int Opset = 13;
    public const string BatchDimension = "N";

    public static void Save(BranchGraph graph, string path)
    {
        var partial = path + ".partial";
        File.WriteAllBytes(partial, ToBytes(graph));
        File.Move(partial, path, overwrite: true);
    }

    public static byte[] ToBytes(BranchGraph graph) => ToModel(graph).ToByteArray();

    public static ModelProto ToModel(BranchGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        graph.Validate();
        var g = new GraphProto { Name = "vmnet_branch" };
        g.Input.Add(Value(InputName, graph.InputDim));
        var builder = new Builder(g);

        var x = builder.Node("Sub", [InputName, builder.Constant("input_mean", graph.InputMean, graph.InputDim)]);
        x = builder.Node("Div", [x, builder.Constant("input_std", [.. graph.InputStd.Select(BranchGraph.EffectiveStd)], graph.InputDim)]);
        for (var i = 0; i < graph.Layers.Count; i++)
        {
            var layer = graph.Layers[i];
            var weight = builder.Constant($"dense{i}_weight", layer.Weight, layer.Out, layer.In);
            var bias = builder.Constant($"dense{i}_bias", layer.Bias, layer.Out);
            x = builder.Node("Gemm", [x, weight, bias], Int("transB", 1));
            if (layer.Relu)
            {
                x = builder.Node("Relu", [x]);
            }
        }

        if (graph.BatchNormScale is not null)
        {
            x = builder.Node("Mul", [x, builder.Constant("bn_scale", graph.BatchNormScale, graph.OutputDim)]);
            x = builder.Node("Add", [x, builder.Constant("bn_shift", graph.BatchNormShift!, graph.OutputDim)]);
        }

        if (graph.L2Normalize)
        {
            var norm = builder.Node("ReduceL2", [x], Ints("axes", 1), Int("keepdims", 1));
            norm = builder.Node("Max", [norm, builder.Constant("l2_epsilon", [BranchGraph.L2Epsilon])]);
            x = builder.Node("Div", [x, norm]);
        }

        builder.Node("Identity", [x], output: OutputName);
        g.Output.Add(Value(OutputName, graph.OutputDim));

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "VmNet.ModelFormat",
            ProducerVersion = typeof(BranchOnnx).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return model;
    }

    private static ValueInfoProto Value(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private sealed class Builder(GraphProto graph)
    {
        private int _next;

        public string Constant(string name, float[] values, params long[] dims)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.Add(dims);
            tensor.FloatData.Add(values);
            graph.Initializer.Add(tensor);
            return name;
        }

        public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, null, attributes);

        public string Node(string op, string[] inputs, string? output, params AttributeProto[] attributes)
        {
            var name = $"{op.ToLowerInvariant()}_{_next++}";
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.Add(inputs);
            node.Output.Add(output ?? name);
            node.Attribute.Add(attributes);
            graph.Node.Add(node);
            return output ?? name;
        }
    }
}
